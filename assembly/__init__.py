"""The general assembly (총회): attendance, votes on the shortlist, minutes."""
