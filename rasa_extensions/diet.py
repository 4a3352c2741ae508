"""Rasa's DIETClassifier, trained as stock, loaded for prediction only.

Loaded by the Rasa server (Python 3.10, Rasa's own environment; Rasa and TensorFlow imports only)
from `bot/config.yml`:

    - name: rasa_extensions.diet.PredictionDIETClassifier

Stock `RasaModel.load` builds the model's variables by running one *training* step
(`model.fit` on one example) before it restores the trained weights: TensorFlow traces the whole
training graph — loss, gradients and the optimizer's update of every variable, about 44,000
operations for this bot's DIET (four feature sets, a CRF over 17 entity tags) — only to throw it
away. That trace was most of the Rasa server's start (about 40 s of ~60 s on these machines) and
its graphs stayed in memory. A server never trains, so here the variables are built by one eager
prediction, the trained weights are restored over them, and the prediction graph is traced once,
as stock does at the end of its load. The predictions are the same (tests/rasa: the trained
weights restored, outputs as a stock load's). Training is untouched (stock `train`).
"""
from __future__ import annotations

from typing import Any, Optional, Text, Type

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel


class PredictionDIET(DIET):
    @classmethod
    def load(
        cls,
        model_file_name: Text,
        model_data_example: RasaModelData,
        predict_data_example: Optional[RasaModelData] = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> "RasaModel":
        if finetune_mode or predict_data_example is None:
            return super().load(model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs)
        model = cls(*args, **kwargs)
        # One eager prediction creates every variable the prediction uses (no graph traced).
        model._run_eagerly = True
        model.run_inference(predict_data_example)
        # Every variable of the model gets its trained value (or the load fails here, never a
        # prediction with initial weights); the optimizer's slots in the checkpoint have no
        # variables here, as expected.
        restored = model.load_weights(model_file_name)
        restored.expect_partial()
        restored.assert_existing_objects_matched()
        # Label embeddings were computed with the initial weights: compute them again, then
        # trace the prediction graph once with the trained weights (stock does the same trace).
        model.prepared_for_prediction = False
        model._tf_predict_step = None
        model._run_eagerly = bool(kwargs.get("config", {}).get("run_eagerly"))
        model.run_inference(predict_data_example)
        return model


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class PredictionDIETClassifier(DIETClassifier):
    """DIETClassifier whose trained model loads without tracing a training step."""

    @staticmethod
    def model_class() -> Type[RasaModel]:
        return PredictionDIET
