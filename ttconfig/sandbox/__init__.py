"""The sandbox: a local TT that speaks shared/tt-contract.md over real HTTP on loopback.

Users rehearse against it with no credentials; tests drive the client against it and
inject faults through it. It imports nothing from the client (`ttconfig.tt`): the two meet
only on the wire, so each checks the other.
"""
