"""The pure core: plan types, the planner, the $ORIGIN rule, dist-info and launchers."""
