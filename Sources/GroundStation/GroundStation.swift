// placeholder: filled by the GroundStation work
