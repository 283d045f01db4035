"""The domain: clients, projects, commitments, people, allocations, scenarios, events.

Standard library only (plus the ``holidays`` data package for public holidays);
no I/O, no framework.
"""
