<?php /* laravel */ ?>
