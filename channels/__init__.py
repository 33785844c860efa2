"""Voting channels beyond the online account: phone, voting codes, kiosks, walk-in paper."""
