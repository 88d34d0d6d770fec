"""Pure, clock-free analysis of audio blocks: level, speech, raised voices, pace.

Nothing here knows about devices, files or scripts: every function takes samples
and durations, so the same detectors serve a live session, a simulation and
`voice-coach analyze`.
"""
