"""casebot: carry case cards between criminal-justice web systems, as a careful clerk would."""

__version__ = "0.1.0"
