// placeholder: filled by the Kernels work
