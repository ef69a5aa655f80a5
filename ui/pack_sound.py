"""The pack tab's alarm: a loud sound for a bad answer (unknown, held, already printed, wrong item …).

A small bundled WAV played through Qt (``QSoundEffect``) when this Qt has its multimedia module and the sound
loads; else the system's beep. ``rung`` counts the alarms (what a test can see on a machine without speakers).
"""

from __future__ import annotations

from app.paths import resources_dir
from ui.qt.core import QObject, QUrl
from ui.qt.multimedia import QSoundEffect
from ui.qt.widgets import QApplication

SOUND = "pack-bad.wav"


class Alarm(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rung = 0
        self._effect = None
        if QSoundEffect is not None:
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(resources_dir() / "sounds" / SOUND)))
            effect.setVolume(1.0)
            self._effect = effect

    @property
    def through(self) -> str:
        """How it sounds: ``wav`` (the bundled sound) or ``beep``."""
        return "wav" if self._effect is not None and self._effect.isLoaded() else "beep"

    def ring(self) -> None:
        self.rung += 1
        if self._effect is not None and self._effect.isLoaded():
            self._effect.play()
        else:
            QApplication.beep()
