<?php /* hidden */ ?>
