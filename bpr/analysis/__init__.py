"""Analysis of one model: the contract's measures, the model in notation terms (flow net),
Petri nets and soundness, and the terminal tables of measures."""
