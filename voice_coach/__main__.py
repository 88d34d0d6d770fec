"""`python -m voice_coach` is the same as the `voice-coach` command."""

from voice_coach.cli import main

raise SystemExit(main())
