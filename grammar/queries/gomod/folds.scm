; Blocks fold: `require ( ... )` and the like.
(block) @fold
