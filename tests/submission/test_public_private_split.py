"""The seeded public / private split: reproducible from ids and seed alone."""

import hashlib

import numpy as np
import pytest

from cyborg.errors import CyborgError
from cyborg.submission import public_mask, trick_sample_ids

IDS = [sample_id for subject in range(5) for sample_id in trick_sample_ids(subject, 150)]


def test_split_follows_the_documented_hash_rule():
    ids = ["subject0_000", "subject0_001", "subject0_002", "subject0_003"]
    keys = {sample_id: int.from_bytes(hashlib.sha256(f"3:{sample_id}".encode()).digest()[:8], "big")
            for sample_id in ids}
    expected_public = set(sorted(ids, key=keys.get)[:2])
    mask = public_mask(ids, seed=3, public_fraction=0.5)
    assert {sample_id for sample_id, public in zip(ids, mask) if public} == expected_public


def test_split_is_deterministic_and_independent_of_order():
    mask = public_mask(IDS, seed=0)
    np.testing.assert_array_equal(public_mask(IDS, seed=0), mask)
    order = np.random.default_rng(0).permutation(len(IDS))
    np.testing.assert_array_equal(public_mask([IDS[i] for i in order], seed=0), mask[order])


@pytest.mark.parametrize("n_ids, fraction, n_public", [(746, 0.5, 373), (750, 0.3, 225), (7, 0.5, 4),
                                                       (10, 1.0, 10), (10, 0.04, 0)])
def test_split_has_the_requested_size(n_ids, fraction, n_public):
    ids = IDS[:n_ids] if n_ids <= len(IDS) else trick_sample_ids(9, n_ids)
    if n_public == 0:
        with pytest.raises(CyborgError, match=r"expected at least one public id among 10, found 0.04 of them"):
            public_mask(ids, public_fraction=fraction)
        return
    mask = public_mask(ids, public_fraction=fraction)
    assert mask.dtype == bool and mask.shape == (n_ids,)
    assert mask.sum() == n_public


def test_split_is_disjoint_covering_and_mixes_subjects():
    mask = public_mask(IDS, seed=0)
    public = {sample_id for sample_id, flag in zip(IDS, mask) if flag}
    private = {sample_id for sample_id, flag in zip(IDS, mask) if not flag}
    assert public.isdisjoint(private) and public | private == set(IDS)
    per_subject = [mask[subject * 150:(subject + 1) * 150].mean() for subject in range(5)]
    assert all(0.35 < share < 0.65 for share in per_subject)


def test_split_changes_with_the_seed():
    masks = [public_mask(IDS, seed=seed) for seed in range(3)]
    assert not np.array_equal(masks[0], masks[1])
    assert not np.array_equal(masks[1], masks[2])
    # unrelated splits overlap about half: far from identical, far from complementary
    assert 0.35 < np.mean(masks[0] == masks[1]) < 0.65


@pytest.mark.parametrize("kwargs, message", [
    ({"public_fraction": 0.0}, r"split public_fraction: expected a number in \(0, 1\], found 0.0"),
    ({"public_fraction": 1.5}, r"split public_fraction: expected a number in \(0, 1\], found 1.5"),
    ({"public_fraction": "half"}, r"split public_fraction: expected a number in \(0, 1\], found 'half'"),
    ({"seed": "0"}, r"split seed: expected an integer, found '0'"),
    ({"seed": 1.5}, r"split seed: expected an integer, found 1.5"),
])
def test_split_rejects_bad_parameters(kwargs, message):
    with pytest.raises(CyborgError, match=message):
        public_mask(IDS, **kwargs)


def test_split_rejects_repeated_ids():
    with pytest.raises(CyborgError, match=r"split ids: expected each id once, found 1 repeated"):
        public_mask(["subject0_000", "subject0_001", "subject0_000"])
