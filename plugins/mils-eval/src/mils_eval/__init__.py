"""mils-eval: benchmark dataset readers, caption metrics (``mils eval``) and run reports (``mils report``)."""

__version__ = "0.1.0"
