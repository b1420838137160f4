"""`python -m mentiondesk` is the console script."""

from mentiondesk.cli import main

raise SystemExit(main())
