/* A shared library that is not a qcc model: no descriptor symbol. */
__attribute__((visibility("default"))) int not_a_model(void) { return 42; }
