"""Synthetic cohorts shaped like Seoul's "Seoul Run" learning-support mentoring.

University-student mentors and middle- and high-school mentees who fell behind, in Seoul's
25 districts (larger cohorts spread over more districts at Seoul's density), with last term's
pairs, some of whose mentors have since left. Every distribution is a knob of
:class:`SynthKnobs` with a documented default; ``docs/explanation/synthetic-cohorts.md`` says
which public figure each default is calibrated to and which are assumptions.

Generation is vectorised with numpy and deterministic: the same arguments and ``seed`` give
the same cohort. Every record is built through pydantic's normal validation.
:func:`simulate_terms` runs several terms through :func:`matchkit.rematch`;
:func:`simulate_years` several years of hiring, departures replaced by
:func:`matchkit.recruit`'s choice and compared with the office's rule (:func:`office_hires`).
:func:`generate_applicants` draws a year's applicants (:class:`~matchkit.Applicant`, would-be
mentors drawn like the generator's mentors, with :class:`ApplicantKnobs` for what only
applicants have: university, recommendation, review points, commitment, former mentees).

An edge package: it imports the public API and the records (:mod:`matchkit.domain`), and
:mod:`matchkit.workflows` for the simulations over terms and years. Its modules: ``knobs``
(the distributions), ``regions`` (districts and their places), ``draw`` (the numpy draws),
``records`` (arrays to records), ``generate`` (one term), ``terms`` (several), ``applicants``
(synthetic applicants), ``years`` (years of hiring).

Examples
--------
>>> syn = generate(12, 40, seed=1)
>>> len(syn.cohort.mentors), len(syn.cohort.mentees), syn.cohort.mentees[0].id
(12, 40, 's-000001')
"""

from matchkit.synth.applicants import SEOUL_UNIVERSITIES, ApplicantKnobs, generate_applicants
from matchkit.synth.generate import Synthetic, generate, generate_cohort
from matchkit.synth.knobs import SynthKnobs
from matchkit.synth.terms import Simulation, TermRecord, simulate_terms
from matchkit.synth.years import YearRecord, YearsSimulation, office_hires, simulate_years

__all__ = [
    "SEOUL_UNIVERSITIES",
    "ApplicantKnobs",
    "Simulation",
    "SynthKnobs",
    "Synthetic",
    "TermRecord",
    "YearRecord",
    "YearsSimulation",
    "generate",
    "generate_applicants",
    "generate_cohort",
    "office_hires",
    "simulate_terms",
    "simulate_years",
]
