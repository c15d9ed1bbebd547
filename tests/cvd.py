"""Colour-vision deficiency, simulated: how a colour or a screenshot looks to a reader with protanopia,
deuteranopia or tritanopia (Machado, Oliveira & Fernandes 2009, severity 1, applied in linear RGB), and
how far apart two colours look (CIE 1976 ΔE in CIELAB, D65)."""

from __future__ import annotations

import numpy as np

MATRICES = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
#: Two colours closer than this (ΔE) are hard to tell apart in a chart's small marks.
CONFUSABLE = 12.0
_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
_WHITE = np.array([0.95047, 1.0, 1.08883])


def hex_rgb(colour: str) -> np.ndarray:
    """'#D55E00' as sRGB in 0..1."""
    value = colour.lstrip("#")
    return np.array([int(value[i:i + 2], 16) for i in (0, 2, 4)], dtype=float) / 255


def _linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _srgb(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0, 1)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)


def simulate(srgb: np.ndarray, deficiency: str) -> np.ndarray:
    """sRGB values (..., 3) in 0..1 as they look with ``deficiency``."""
    return _srgb(_linear(np.asarray(srgb, dtype=float)[..., :3]) @ MATRICES[deficiency].T)


def lab(srgb: np.ndarray) -> np.ndarray:
    xyz = (_linear(np.asarray(srgb, dtype=float)) @ _XYZ.T) / _WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def delta_e(a: np.ndarray, b: np.ndarray) -> float:
    """How far apart two sRGB colours look (ΔE 1976).

    >>> round(delta_e(hex_rgb("#000000"), hex_rgb("#FFFFFF")))
    100
    """
    return float(np.linalg.norm(lab(a) - lab(b)))
