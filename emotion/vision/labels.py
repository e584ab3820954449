"""The seven emotions, in the FER2013 order the model's outputs follow."""

EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
NUM_CLASSES = len(EMOTIONS)
INDEX = {name: i for i, name in enumerate(EMOTIONS)}

# FER+ vote columns (labels.csv) that map onto the seven; contempt/unknown/NF do not.
FERPLUS_COLUMNS: dict[str, str] = {
    "anger": "angry",
    "disgust": "disgust",
    "fear": "fear",
    "happiness": "happy",
    "sadness": "sad",
    "surprise": "surprise",
    "neutral": "neutral",
}
