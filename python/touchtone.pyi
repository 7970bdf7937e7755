"""touchtone: a DTMF (touch-tone) receiver, generator and IVR gather state machine.

``decode`` / ``decode_file`` find the keys in a buffer or a file; ``Detector`` does the
same on a stream, frame by frame; ``Generator`` renders keys; ``Gather`` collects a
caller's keys with a platform's rules. Errors are ``TouchtoneError`` subclasses (which are
``ValueError`` subclasses) carrying the library's own messages.
"""

from os import PathLike
from typing import List, Literal, Optional, Union

import numpy as np
import numpy.typing as npt

__version__: str
PRESETS: List[str]

Samples = Union[npt.NDArray[np.int16], npt.NDArray[np.float32], bytes]
Encoding = Literal["ulaw", "alaw"]
Profile = Literal["standard", "relaxed"]
"""The detector's settings. ``"standard"``: the limits of ITU-T Q.24 / LSSGR, for a live
call inside the network. ``"relaxed"``: for recordings made outside the network (a handset
recorded through the air, two-way radio, short machine-dialled tones): reverse twist to
18 dB, normal twist to 14 dB, tones from 20 ms, ±2 % drift, lower purity and dominance;
it gives more false keys on music."""

class TouchtoneError(ValueError):
    """Base class of the errors raised by touchtone (a ValueError)."""

class ConfigError(TouchtoneError):
    """A sample rate outside 8000..=48000 Hz or an unknown profile."""

class AudioError(TouchtoneError):
    """An audio file that cannot be read, or samples of the wrong kind."""

class GeneratorError(TouchtoneError):
    """A generator setting or key string that cannot be rendered."""

class GatherError(TouchtoneError):
    """A gather preset parameter that cannot be used, or a bad key or time."""

class KeyPress:
    """A complete key: its tone's estimated edges and the level of each tone in dBm0."""

    key: str
    """The key: one of ``0-9 A-D * #``."""
    start: int
    """Estimated first sample of the tone."""
    end: int
    """Estimated end of the tone (one past its last sample)."""
    sample_rate: int
    low_dbm0: float
    """Low-group (row) tone level, dBm0."""
    high_dbm0: float
    """High-group (column) tone level, dBm0."""
    channel: int
    """The channel it was found on (0 for a single stream)."""
    @property
    def start_ms(self) -> float: ...
    @property
    def end_ms(self) -> float: ...
    @property
    def duration_ms(self) -> float: ...
    @property
    def twist_db(self) -> float:
        """Low − high, dB (positive: the low tone is louder)."""

class KeyDown:
    """A key went down (at most 50 ms after its tone started); its KeyUp follows."""

    key: str
    start: int
    decided_at: int
    """The sample position at which the detector decided."""
    sample_rate: int
    low_dbm0: float
    high_dbm0: float
    @property
    def start_ms(self) -> float: ...
    @property
    def decided_at_ms(self) -> float: ...

class KeyUp:
    """A key's tone ended: the complete KeyPress and when the end was decided."""

    press: KeyPress
    decided_at: int
    @property
    def key(self) -> str: ...
    @property
    def decided_at_ms(self) -> float: ...

Event = Union[KeyDown, KeyUp]

def decode(
    samples: Samples,
    sample_rate: int,
    encoding: Optional[Encoding] = None,
    profile: Profile = "standard",
) -> List[KeyPress]:
    """Decode the keys in a buffer: a 1-D int16 or float32 (±1.0 full scale) NumPy array,
    or G.711 bytes with ``encoding="ulaw"`` / ``"alaw"``, with the detector ``profile``."""

def decode_file(
    path: Union[str, "PathLike[str]"],
    profile: Profile = "standard",
    raw: Optional[Literal["ulaw", "alaw", "s16le", "f32le"]] = None,
    sample_rate: Optional[int] = None,
) -> List[KeyPress]:
    """Decode the keys of every channel of a WAV file (or a headerless ``raw`` file at
    ``sample_rate``) with the detector ``profile``, ordered by start, then channel."""

class Detector:
    """A streaming DTMF receiver for one channel with the detector ``profile``."""

    def __init__(self, sample_rate: int, profile: Profile = "standard") -> None: ...
    def process(self, frame: Samples, encoding: Optional[Encoding] = None) -> List[Event]:
        """Feed one frame of any length; return the events it completed."""
    def finish(self) -> List[Event]:
        """End of the stream: report a key still on."""
    def reset(self) -> None: ...
    @property
    def position(self) -> int:
        """Samples fed since creation (or the last reset)."""
    @property
    def sample_rate(self) -> int: ...
    @property
    def profile(self) -> str:
        """The profile name, ``"standard"`` or ``"relaxed"``."""

class Generator:
    """Renders keys as 16-bit PCM: for each key a pause then a tone, then a final pause."""

    def __init__(
        self,
        sample_rate: int = 8000,
        tone_ms: float = 70.0,
        pause_ms: float = 70.0,
        level_dbm0: float = -10.0,
        twist_db: float = 0.0,
    ) -> None: ...
    def render(self, keys: str) -> npt.NDArray[np.int16]: ...
    @property
    def sample_rate(self) -> int: ...
    @property
    def tone_ms(self) -> float: ...
    @property
    def pause_ms(self) -> float: ...
    @property
    def level_dbm0(self) -> float: ...
    @property
    def twist_db(self) -> float: ...

class GatherKey:
    """A key collected or left over by a Gather, with its down / up times (seconds)."""

    key: str
    down: float
    up: Optional[float]

class GatherResult:
    """The outcome of a gather."""

    keys: str
    reason: str
    """max_keys, end_key, timeout, term_timeout, no_input, too_short, invalid,
    overall_timeout, cancelled, hangup or prompt_failed."""
    success: bool
    attempts: int
    start: float
    end: float
    events: List[GatherKey]
    end_key: Optional[GatherKey]

class PlayPrompt:
    """Action: start playing a prompt."""

    id: int
    attempt: int
    kind: str
    """initial, retry, no_input_feedback or invalid_feedback."""
    at: float

class StopPrompt:
    """Action: stop the prompt that is playing."""

    id: int
    at: float

class AttemptFailed:
    """Action: an attempt failed; a retry follows if one remains."""

    attempt: int
    reason: str
    at: float

class Finished:
    """Action: the gather ended."""

    result: GatherResult

Action = Union[PlayPrompt, StopPrompt, GatherKey, AttemptFailed, Finished]

class Gather:
    """An IVR gather as a sans-IO state machine. ``Gather(preset, **parameters)``:
    preset one of PRESETS, parameters in the platform's own names (snake_case)."""

    def __init__(self, preset: str = "bird", **parameters: object) -> None: ...
    def start(self, t: float = 0.0) -> None: ...
    def key_down(self, key: str, t: float) -> None: ...
    def key_up(self, key: str, t: float) -> None: ...
    def prompt_finished(self, t: float) -> None: ...
    def prompt_failed(self, t: float) -> None: ...
    def timeout(self, now: float) -> None: ...
    def cancel(self, t: float) -> None: ...
    def hangup(self, t: float) -> None: ...
    def next_deadline(self) -> Optional[float]: ...
    def poll_action(self) -> Optional[Action]: ...
    def actions(self) -> List[Action]: ...
    def leftover(self) -> List[GatherKey]: ...
    @property
    def result(self) -> Optional[GatherResult]: ...
    @property
    def is_finished(self) -> bool: ...
    @property
    def attempt(self) -> int: ...
    @property
    def preset(self) -> str: ...
