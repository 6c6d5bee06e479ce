// placeholder: filled by the Pipeline work
