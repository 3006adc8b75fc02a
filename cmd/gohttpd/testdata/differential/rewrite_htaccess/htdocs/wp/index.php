<?php /* wordpress front controller */ ?>
