# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The adaptive method: a causal robust baseline, protected learning and a following tail threshold.

Read order: spread -> state -> scores -> core (the one step function) -> state_json -> detector (batch driver) ->
streaming (streaming driver) -> recommended.
"""

from spotanomaly2_safe.adaptive.detector import AdaptiveDetector
from spotanomaly2_safe.adaptive.recommended import RECOMMENDED_PARAMETERS, recommended_detector
from spotanomaly2_safe.adaptive.streaming import AdaptiveResidualDetector

__all__ = ["AdaptiveDetector", "AdaptiveResidualDetector", "RECOMMENDED_PARAMETERS", "recommended_detector"]
