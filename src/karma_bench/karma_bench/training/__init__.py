"""Fine-tuning the local planner: traced planning calls (``traces``) and LoRA training
(``finetune``); ``./karma train planner`` runs both (``cli``)."""
