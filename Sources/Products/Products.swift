// placeholder: filled by the Products work
