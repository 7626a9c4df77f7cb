from auditor.app.cli import main

raise SystemExit(main())
