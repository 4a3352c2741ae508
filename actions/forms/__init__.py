"""Guided filling of the official forms (Rasa form ``application_form`` + its validation action)."""
