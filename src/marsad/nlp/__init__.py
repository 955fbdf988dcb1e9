"""Arabic NLP: normalisation, tokenisation and the spaCy pipeline with named stages."""
