"""mils-style: MILS style transfer (the style-transfer task, the gram-style scorer, an InstructPix2Pix editor)."""

__version__ = "0.1.0"
