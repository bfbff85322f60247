"""Pure shared values (no Django): money and the domain errors every app raises."""
