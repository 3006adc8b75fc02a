<?php /* admin */ ?>
