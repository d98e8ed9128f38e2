"""EEG classification pipelines: filter-bank band power, (FB)CSP, Riemannian tangent spaces, xDAWN, their stack.

Every factory returns an unfitted scikit-learn pipeline (or a stack of them) that takes windows
(n_trials, n_chans, n_times) and gives class probabilities (n_trials, n_classes)
from ``predict_proba``. pyRiemann is imported inside the factories that use it
(it takes seconds to import).
"""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.base import BaseEstimator
from sklearn.ensemble import StackingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from cyborg.classical.eeg_features import (BandPassProjection, ChannelScale, Detrend, LogVariance, LowPassProjection,
                                          QuietCSP)
from cyborg.classical.filterbank import EEG_BANDS, Band, FilterBank, PerBand
from cyborg.classical.heads import C_GRID, shrinkage_lda, tuned_logistic
from cyborg.classical.inputs import WindowsInput


def fb_logvar_lda(*, sfreq: float, bands: Sequence[Band] = EEG_BANDS, order: int = 4) -> Pipeline:
    """Filter bank -> per-band, per-channel log-variance -> standardise -> shrinkage LDA.

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    bands : sequence of (low, high)
        Filter-bank bands in Hz (see :class:`~cyborg.classical.filterbank.FilterBank`).
    order : int
        Butterworth order of each band edge.
    """
    return make_pipeline(WindowsInput(), FilterBank(sfreq, bands, order), LogVariance(), StandardScaler(),
                         shrinkage_lda())


def fb_logvar_lr(*, sfreq: float, bands: Sequence[Band] = EEG_BANDS, order: int = 4,
                 Cs: Sequence[float] = C_GRID) -> Pipeline:
    """Filter bank -> per-band, per-channel log-variance -> standardise -> logistic regression.

    Parameters
    ----------
    sfreq, bands, order
        As in :func:`fb_logvar_lda`.
    Cs : sequence of float
        Inverse penalties searched by 3-fold inner CV.
    """
    return make_pipeline(WindowsInput(), FilterBank(sfreq, bands, order), LogVariance(), StandardScaler(),
                         tuned_logistic(Cs))


def fbcsp_lda(*, sfreq: float, bands: Sequence[Band] = EEG_BANDS, order: int = 4, n_components: int = 4,
              reg: str | float = "ledoit_wolf") -> Pipeline:
    """Filter-bank CSP (Ang et al. 2008): CSP log-powers of every band -> standardise -> shrinkage LDA.

    MNE's CSP handles more than two classes (joint approximate
    diagonalisation) and estimates the data rank, so dead, zeroed channels
    are projected out; ``reg`` shrinks the class covariances.

    Parameters
    ----------
    sfreq, bands, order
        As in :func:`fb_logvar_lda`.
    n_components : int
        CSP components kept per band.
    reg : {"ledoit_wolf", "oas"} | float
        Covariance regularisation of MNE's CSP.
    """
    csp = QuietCSP(n_components=n_components, reg=reg, log=True)
    return make_pipeline(WindowsInput(), FilterBank(sfreq, bands, order), PerBand(csp), StandardScaler(),
                         shrinkage_lda())


def _tangent_space(covariances: BaseEstimator) -> Pipeline:
    """``covariances`` (windows -> SPD matrices) followed by the Riemannian tangent space at their mean."""
    from pyriemann.tangentspace import TangentSpace

    return make_pipeline(covariances, TangentSpace(metric="riemann"))


def fb_tangent_space(*, sfreq: float, bands: Sequence[Band] = EEG_BANDS, order: int = 4,
                     Cs: Sequence[float] = C_GRID) -> Pipeline:
    """Filter bank -> per band OAS covariance -> Riemannian tangent space -> logistic regression.

    Tangent vectors are already whitened by each band's Riemannian mean, so
    they are not standardised (standardising amplified the noisy off-diagonal
    terms: 0.62-0.67 instead of 0.74-0.80 cross-validated accuracy on the
    planted band-power data of the tests).

    Parameters
    ----------
    sfreq, bands, order
        As in :func:`fb_logvar_lda`.
    Cs : sequence of float
        Inverse penalties searched by 3-fold inner CV.
    """
    from pyriemann.estimation import Covariances

    return make_pipeline(WindowsInput(), FilterBank(sfreq, bands, order),
                         PerBand(_tangent_space(Covariances(estimator="oas"))), tuned_logistic(Cs))


def xdawn_tangent_space(*, sfreq: float, slow_band: Band = (None, 5.0), order: int = 4, nfilter: int = 4,
                        Cs: Sequence[float] = C_GRID) -> Pipeline:
    """Slow potentials (xDAWN covariances) and broadband covariance, in tangent space -> logistic regression.

    Two feature sets, both computed from the window alone:

    - the low-passed window through pyRiemann's ``XdawnCovariances`` (class
      prototypes of the evoked slow waveform stacked with the xDAWN-filtered
      signal; Barachant & Congedo 2014), then its tangent space;
    - the tangent space of the broadband OAS covariance (band power and its
      spatial pattern).

    Tangent vectors are not standardised (see :func:`fb_tangent_space`).

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    slow_band : (low, high)
        Band of the slow potentials in Hz (default: low-pass at 5 Hz).
    order : int
        Butterworth order of the slow band's edges.
    nfilter : int
        xDAWN spatial filters per class.
    Cs : sequence of float
        Inverse penalties searched by 3-fold inner CV.
    """
    from pyriemann.estimation import Covariances, XdawnCovariances

    slow = make_pipeline(FilterBank(sfreq, (slow_band,), order), PerBand(_tangent_space(
        XdawnCovariances(nfilter=nfilter, estimator="oas", xdawn_estimator="oas"))))
    broadband = _tangent_space(Covariances(estimator="oas"))
    return make_pipeline(WindowsInput(), FeatureUnion([("slow", slow), ("broadband", broadband)]), tuned_logistic(Cs))


def xdawn_tangent_lda(*, sfreq: float, h_freq: float = 5.0, nfilter: int = 2) -> Pipeline:
    """Window-only slow potentials (xDAWN) and broadband covariance, in tangent space -> shrinkage LDA.

    Built for pre-cut epochs of about 0.5 s, where a recursive low-pass has no
    room to settle:

    - every channel is scaled by its training standard deviation and flat
      channels are dropped (:class:`~cyborg.classical.eeg_features.ChannelScale`);
    - slow potentials: the window projected on its cosines up to ``h_freq``
      (:class:`~cyborg.classical.eeg_features.LowPassProjection`), then
      pyRiemann's ``XdawnCovariances`` and their tangent space;
    - band power and its spatial pattern: the linearly detrended window's OAS
      covariance and its tangent space;
    - both sets standardised, then LDA with Ledoit-Wolf shrinkage, which models
      the correlations between the many tangent coordinates (chosen
      analytically, no inner search).

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    h_freq : float
        Highest frequency of the slow potentials, in Hz.
    nfilter : int
        xDAWN spatial filters per class.
    """
    from pyriemann.estimation import Covariances, XdawnCovariances

    slow = make_pipeline(LowPassProjection(sfreq, h_freq), _tangent_space(XdawnCovariances(nfilter=nfilter,
                                                                                         estimator="oas")))
    broadband = make_pipeline(Detrend(), _tangent_space(Covariances(estimator="oas")))
    return make_pipeline(WindowsInput(), ChannelScale(), FeatureUnion([("slow", slow), ("broadband", broadband)]),
                         StandardScaler(), shrinkage_lda())


def band_csp_lda(*, sfreq: float, l_freq: float = 13.0, h_freq: float = 30.0, n_components: int = 2,
                 reg: str | float = "ledoit_wolf") -> Pipeline:
    """Window-only band power in a few supervised spatial filters: one band, MNE's CSP, shrinkage LDA.

    - every channel is scaled by its training standard deviation and flat
      channels are dropped (:class:`~cyborg.classical.eeg_features.ChannelScale`);
    - the window's cosines from ``l_freq`` to ``h_freq`` are kept
      (:class:`~cyborg.classical.eeg_features.BandPassProjection`, no filter
      transient on a short epoch);
    - MNE's CSP (several classes: approximate joint diagonalisation, components
      ordered by mutual information) keeps ``n_components`` filters and gives
      their log-variances;
    - standardised, then LDA with Ledoit-Wolf shrinkage.

    A handful of filters suit band-power changes carried by a few sources
    (lateralised desynchronisation); a tangent space of every channel pair
    spreads the same information over thousands of features.

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    l_freq, h_freq : float
        Band of the power changes in Hz (default: beta, 13-30 Hz).
    n_components : int
        CSP filters kept.
    reg : str | float
        Covariance regularisation of the CSP (MNE's ``reg``).
    """
    return make_pipeline(WindowsInput(), ChannelScale(), BandPassProjection(sfreq, l_freq, h_freq),
                         QuietCSP(n_components=n_components, reg=reg, log=True), StandardScaler(), shrinkage_lda())


def xdawn_csp_stack(*, sfreq: float, h_freq: float = 5.0, nfilter: int = 2, l_band: float = 13.0,
                    h_band: float = 30.0, n_components: int = 2, cv: int = 3) -> StackingClassifier:
    """:func:`xdawn_tangent_lda` (slow potentials, broadband covariance) stacked with :func:`band_csp_lda`.

    Each of the two decoders is fitted on the training windows; a logistic
    regression learns how far to trust each from their class probabilities
    on ``cv`` stratified inner folds of the same training windows
    (scikit-learn's ``StackingClassifier``). Where one source of class
    information is missing (no slow potentials, or no band-power change) the
    regression learns to discount that decoder's probabilities instead of
    averaging in its noise. The inner folds cost ``cv`` extra fits of both.

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    h_freq, nfilter : float, int
        Slow-potential band edge (Hz) and xDAWN filters per class of :func:`xdawn_tangent_lda`.
    l_band, h_band : float
        Band of :func:`band_csp_lda` in Hz.
    n_components : int
        CSP filters of :func:`band_csp_lda`.
    cv : int
        Stratified inner folds that give the regression its inputs.
    """
    return StackingClassifier(
        [("xdawn_tangent_lda", xdawn_tangent_lda(sfreq=sfreq, h_freq=h_freq, nfilter=nfilter)),
         ("band_csp_lda", band_csp_lda(sfreq=sfreq, l_freq=l_band, h_freq=h_band, n_components=n_components))],
        final_estimator=LogisticRegression(), cv=StratifiedKFold(cv), stack_method="predict_proba")
