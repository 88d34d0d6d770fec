"""Speed and memory measurements (not tests): `make bench` runs every module here."""
