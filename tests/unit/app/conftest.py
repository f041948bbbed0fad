import pytest

from tiltscreen.app import core as core_mod


class StubWorker:
    """Stands in for the live loop: no camera, no model; records the commands it gets."""

    def __init__(self, spec, step, *a, on_capture, on_end, **k):
        self.step, self.on_capture, self.on_end, self.commands = step, on_capture, on_end, []
        self.fps_nominal = 30.0

    def start(self):
        pass

    def stop(self, timeout=5.0):
        pass

    def command(self, name):
        self.commands.append(name)


@pytest.fixture()
def stub_live(monkeypatch):
    monkeypatch.setattr(core_mod, "LiveWorker", StubWorker)
    return StubWorker
