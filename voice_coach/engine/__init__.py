"""Runs a script on the audio clock: the session interpreter and what it reports."""
