"""Cohorts, policies and results in files: one JSON file, or a folder of CSV tables.

A path ending in ``.json`` is one JSON file; any other path is a folder.

- **Cohort**: ``cohort.json`` is :class:`~matchkit.Cohort` as JSON. A cohort folder holds
  ``mentors.csv`` and ``mentees.csv``, one row per person, one column per field:
  availability in its text form (``Mon 18:00-21:00, Sat 10:00-12:30``), subjects and needs
  as ``math:4; english:3``, ``avoid`` as ``m-1; m-2``, coordinates as ``lat`` and ``lon``,
  free-form attributes as ``attr.<name>`` columns. An empty cell means the field's default
  (or None); an empty ``availability`` cell means no weekly time at all.
- **Result**: ``result.json`` is :class:`~matchkit.MatchResult` as JSON and reads back
  unchanged: the round-trip format. A result folder holds ``result.json`` and
  ``matches.csv``, one row per mentee with the score breakdown, for spreadsheets. Only
  its ``mentee_id`` and ``mentor_id`` columns are read back, by :func:`read_matches`, to
  check an officer's edit (``matchkit verify``); result.json is never rebuilt from it.
- **Policy**: ``policy.json`` is :class:`~matchkit.Policy` as JSON.
- **Applicants**: ``applicants.csv`` (a mentor's columns plus ``recommended`` and
  ``review``; Korean headers too), ``{"applicants": [...]}`` as JSON, or an ``applicants``
  sheet; :func:`read_applicants` and :func:`write_applicants` (:mod:`matchkit.io.applicants`).
- **Rules and hires**: ``rules.json`` is :class:`~matchkit.HiringRules` as JSON
  (:func:`read_hiring_rules`); :func:`write_hires` writes what
  :func:`~matchkit.recruit` decided as ``hires.csv`` and ``curve.csv``
  (:mod:`matchkit.io.hires`).
- **Pins**: ``pins.csv`` (columns ``mentee``, ``mentor``, ``rule`` = ``pin`` or ``forbid``)
  holds pinned and forbidden pairs; :func:`read_pins` reads it (:mod:`matchkit.io.pins`).

Bad input raises one :class:`~matchkit.InputError` listing every problem. A CSV problem
names the file, the row (spreadsheet numbering: the header is row 1, the first person row
2), the record id, the column and the offending value, and nothing else about the person::

    mentees.csv row 43 (mentee 's-0042'), column availability: 'Mon 25:00-26:00': '25:00' is not a time of day

Spreadsheet safety (OWASP, "CSV injection"): a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written with a ``'`` in front, so a spreadsheet
shows it as text instead of running it as a formula; so is a text starting with ``'``
itself. Numbers are written as plain numbers. On reading, a leading ``'`` followed by one
of those characters (or by nothing) is removed, so writing then reading gives back the
same cohort. CSV files are written as UTF-8 with a byte-order mark, which Excel needs to
show Korean text; files with or without one are read.

This package reads and writes records (:mod:`matchkit.domain`); it imports nothing that
solves. Its modules: ``cells`` (one CSV cell: parsing, formatting, spreadsheet safety),
``people`` (the mentors' and mentees' tables), ``files`` (cohort, policy and result files),
``applicants`` (the applicants' table), ``hires`` (what ``recruit`` decided).
"""  # noqa: E501

from matchkit.io.applicants import read_applicants, write_applicants
from matchkit.io.files import (
    read_cohort,
    read_hiring_rules,
    read_policy,
    read_result,
    write_cohort,
    write_result,
)
from matchkit.io.hires import write_hires
from matchkit.io.pins import Pins, read_pins, write_pins
from matchkit.io.sheet import read_matches

__all__ = [
    "Pins",
    "read_applicants",
    "read_cohort",
    "read_hiring_rules",
    "read_matches",
    "read_pins",
    "read_policy",
    "read_result",
    "write_applicants",
    "write_cohort",
    "write_hires",
    "write_pins",
    "write_result",
]
