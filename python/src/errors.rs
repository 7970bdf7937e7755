//! The exceptions: [`TouchtoneError`] (a `ValueError`) and its subclasses, one per kind
//! of mistake.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;

create_exception!(
    touchtone,
    TouchtoneError,
    PyValueError,
    "Base class of the errors raised by touchtone (a ValueError)."
);
create_exception!(
    touchtone,
    ConfigError,
    TouchtoneError,
    "A detector setting that cannot be used: a sample rate outside 8000..=48000 Hz or an unknown profile."
);
create_exception!(
    touchtone,
    AudioError,
    TouchtoneError,
    "An audio file that cannot be read, or samples of the wrong kind."
);
create_exception!(
    touchtone,
    GeneratorError,
    TouchtoneError,
    "A generator setting or key string that cannot be rendered."
);
create_exception!(
    touchtone,
    GatherError,
    TouchtoneError,
    "A gather preset parameter that cannot be used, or a bad key or time given to a Gather."
);
