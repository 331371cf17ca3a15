"""The domain: the clerk's rules as pure code, no I/O, no browser, no configuration.

- :mod:`~casebot.domain.model`: the case card (案卡) and the records around it, in national-standard codes;
- :mod:`~casebot.domain.roles`: what a field is (a name, an ID number, a title, person rows...), declared on
  the fields, read by everything else instead of the systems' field names;
- :mod:`~casebot.domain.codes`: the code tables (代码表);
- :mod:`~casebot.domain.idcard`, :mod:`~casebot.domain.identity`: ID numbers, names and text as clerks type them;
- :mod:`~casebot.domain.keys`: case numbers in one normal form (SPEC rule 9);
- :mod:`~casebot.domain.privacy`: masking of personal data;
- :mod:`~casebot.domain.verify`: read-back compared field by field;
- :mod:`~casebot.domain.changes`: what changed since a card was written, and whether a person changed it;
- :mod:`~casebot.domain.matching`: is a record the case (certain, probable, none);
- :mod:`~casebot.domain.states`: a case's states with their Chinese labels (one enum);
- :mod:`~casebot.domain.exits`: exit statuses, the one table;
- :mod:`~casebot.domain.meanings`: what each error means (outcome, retried, what it stops, exit status,
  where it is fixed), the one table;
- :mod:`~casebot.domain.glossary`: the words for systems and hops.

May import: ``casebot.errors`` only.
"""
