"""Speech engines behind small interfaces: voices speak, recognisers listen."""
