"""Audio frames, files and devices. No policy lives here: only moving samples."""
