"""Facts of the NEDO "Motion Decoding Using Biosignals" challenge (see CHALLENGE.md).

Constants only: file layouts, channel orders, labels, rates and test sizes.
"""

from __future__ import annotations

#: Theme 1 EEG channel order in the original files (CHALLENGE.md 1.4).
EEG_CHANNELS: tuple[str, ...] = tuple("""
Fp1 Fp2 F3 F4 C3 C4 P3 P4 O1 O2 F7 F8 T7 T8 P7 P8 Fz Cz Pz Oz FC1 FC2 CP1 CP2 FC5 FC6 CP5 CP6 FT9 FT10
FCz AFz F1 F2 C1 C2 P1 P2 AF3 AF4 FC3 FC4 CP3 CP4 PO3 PO4 F5 F6 C5 C6 P5 P6 AF7 AF8 FT7 FT8 TP7 TP8
PO7 PO8 Fpz CPz POz Iz F9 F10 P9 P10 PO9 PO10 O9 O10
""".split())

EEG_SFREQ = 500.0
#: Test epochs: 0.2-0.7 s after the event, 250 samples at 500 Hz.
EPOCH_TMIN = 0.2
EPOCH_N_TIMES = 250

#: Class index (type % 10 - 1) -> label used in the submission.
TRICK_CLASSES: tuple[str, ...] = ("frontside_kickturn", "backside_kickturn", "pumping")
#: Tens digit of the event type -> ramp the rider heads to.
DIRECTIONS = {1: "LED", 2: "Laser"}
EVENT_TYPES = (11, 12, 13, 21, 22, 23)

#: Theme 1 test sizes per subject in the original data.
T1_TEST_COUNTS = {"subject0": 160, "subject1": 118, "subject2": 160, "subject3": 149, "subject4": 159}
T1_STANCE = {"subject0": "goofy", "subject1": "regular", "subject2": "regular",
             "subject3": "regular", "subject4": "goofy"}

#: Theme 2 EMG channel order: 8 muscles x (R, L), even index = right.
EMG_CHANNELS: tuple[str, ...] = (
    "TA R", "TA L", "LG R", "LG L", "RF R", "RF L", "VL R", "VL L",
    "ST R", "ST L", "GMAX R", "GMAX L", "EMI R", "EMI L", "DEL R", "DEL L")
EMG_SFREQ = 2000.0
EMG_N_TIMES = 1000
VELOCITY_SFREQ = 60.0
VELOCITY_STEPS = 30
VELOCITY_AXES: tuple[str, ...] = ("vx", "vy", "vz")
#: Theme 2 trial counts per subject key (train and test alike); 0005 is the reference subject.
T2_COUNTS = {"0001": 319, "0002": 300, "0003": 320, "0004": 320}
T2_REFERENCE_SUBJECT = "0005"
T2_REFERENCE_COUNT = 320
#: Prediction (test) side frame = train frame rotated by pi about z.
SIDE_SIGN = (-1.0, -1.0, 1.0)


def submission_subject(key: str) -> str:
    """Theme 2 mat key ``'000K'`` -> submission key ``'subK'``."""
    return f"sub{int(key)}"
