"""Django's file e-mail backend, writing files only their owner may read.

The demo (and anyone without a mail server) keeps mail in files; a notice names a customer and
what they asked for, so the directory is created 700 and each message file 600, where Django's
own backend leaves both to the umask (usually readable by everyone).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as DjangoFileBackend

from everytouch.ops.filemodes import PRIVATE_FILE, private_dir

PATH = "everytouch.ops.mailfiles.EmailBackend"


class EmailBackend(DjangoFileBackend):
    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        # Made before Django's backend would make it with the umask's mode.
        private_dir(Path(file_path or settings.EMAIL_FILE_PATH).resolve())
        super().__init__(*args, file_path=file_path, **kwargs)

    def open(self) -> bool:
        if self.stream is not None:
            return False
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        self.stream = os.fdopen(os.open(self._get_filename(), flags, PRIVATE_FILE), "ab")
        return True
