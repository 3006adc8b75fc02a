<?php echo "front"; ?>
