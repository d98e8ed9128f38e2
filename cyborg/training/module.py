"""The LightningModule that trains any registry model as a classifier or a kinematics regressor."""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F
import torchmetrics

from cyborg.validation import check_option


def rmse_3d_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The theme-2 metric as a loss: mean over trials of sqrt(mean over steps of squared 3-D error).

    Parameters
    ----------
    pred, target : torch.Tensor, shape (batch, n_steps, n_axes)
    """
    return torch.sqrt(((pred - target) ** 2).sum(-1).mean(-1) + 1e-8).mean()


#: Regression losses :class:`DecoderModule` trains with (``trainer.loss``).
LOSSES = ("rmse_3d", "mse")


class DecoderModule(L.LightningModule):
    """Wrap a model mapping (batch, n_chans, n_times) -> (batch, n_outputs).

    Parameters
    ----------
    model : torch.nn.Module
        A registry model.
    n_classes : int | None
        Number of classes for classification; ``None`` for regression.
    target_shape : tuple of int | None
        (n_steps, n_axes) for regression; the output is reshaped to it.
    lr, weight_decay : float
        AdamW settings.
    max_epochs : int
        Length of the cosine learning-rate schedule.
    loss : {"rmse_3d", "mse"}
        Regression loss: the theme-2 metric, or the mean squared error (which
        the RMSE of a single-value target such as a joint angle rewards).
    """

    def __init__(self, model: torch.nn.Module, n_classes: int | None = None,
                 target_shape: tuple[int, int] | None = None, lr: float = 1e-3,
                 weight_decay: float = 1e-2, max_epochs: int = 20, loss: str = "rmse_3d"):
        super().__init__()
        self.loss = check_option(loss, LOSSES, "trainer.loss")
        self.model = model
        self.n_classes, self.target_shape = n_classes, target_shape
        self.lr, self.weight_decay, self.max_epochs = lr, weight_decay, max_epochs
        if n_classes is not None:
            self.val_metric = torchmetrics.classification.MulticlassAccuracy(n_classes, average="micro")
            self.monitor, self.mode = "val_acc", "max"
        else:
            self.val_metric = torchmetrics.MeanMetric()
            self.monitor, self.mode = "val_rmse", "min"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.model(x)
        if self.target_shape is not None:
            out = out.reshape(out.shape[0], *self.target_shape)
        return out

    def _loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.n_classes is not None:
            return F.cross_entropy(out, y)
        return rmse_3d_loss(out, y) if self.loss == "rmse_3d" else F.mse_loss(out, y)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self._loss(self(x), y)
        self.log("train_loss", loss, prog_bar=True, on_epoch=True, on_step=False, batch_size=len(x))
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        out = self(x)
        self.log("val_loss", self._loss(out, y), on_epoch=True, batch_size=len(x))
        if self.n_classes is not None:
            self.val_metric.update(out.argmax(-1), y)
        else:
            per_trial = torch.sqrt(((out - y) ** 2).sum(-1).mean(-1))
            self.val_metric.update(per_trial)
        self.log(self.monitor, self.val_metric, prog_bar=True, on_epoch=True, batch_size=len(x))

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, self.max_epochs))
        return {"optimizer": optimizer, "lr_scheduler": scheduler}
