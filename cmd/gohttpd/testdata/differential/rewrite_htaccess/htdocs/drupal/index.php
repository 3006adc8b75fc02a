<?php /* drupal */ ?>
