"""The always-on coach: one microphone loop, a wake word, a nightly invitation.

`voice-coach serve` listens all evening for the wake word (and for the invitation
time), asks which exercise, and runs it with the existing engine on the same
microphone stream. Its clock is the audio clock plus the wall-clock time it began,
so a whole evening can be simulated from a WAV with the same code as live.
"""
