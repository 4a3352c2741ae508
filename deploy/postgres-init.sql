-- Rasa's tracker store; the gateway database (`assistant`) is POSTGRES_DB. Same names as make cluster.
CREATE DATABASE rasa_tracker OWNER shenbao;
