"""Reading and writing recordings: the challenge formats (theme 1, theme 2) and MATLAB files."""

from cyborg.io.challenge_trick import (load_trick, read_trick_session, read_trick_test, write_trick_session,
                                       write_trick_test)
from cyborg.io.challenge_velocity import load_velocity, read_velocity_file, write_velocity_file
from cyborg.io.matfile import load_mat, save_mat

__all__ = ["load_mat", "save_mat", "load_trick", "read_trick_session", "read_trick_test",
           "write_trick_session", "write_trick_test", "load_velocity", "read_velocity_file",
           "write_velocity_file"]
