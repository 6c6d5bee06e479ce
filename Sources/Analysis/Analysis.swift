// placeholder: filled by the Analysis work
