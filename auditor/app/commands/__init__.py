"""One module per command: each ``run(args, redactor, stdout) -> exit code`` reads its
inputs, calls its use case (:mod:`auditor.audit` and the tools) and writes its outputs.

:mod:`auditor.app.cli` imports a command's module only when that command runs.
"""
